"""Static checks of the docker files, run in the test suite so CI checks them."""
