"""Docker files of Vigil and their static checks (`python -m docker.check`)."""
