"""Details read from well-known auth.log messages (lib/authlog.py), on real auth.log lines."""

from __future__ import annotations

import pytest

from lib.authlog import details_for, is_ip_address

CASES = [
    (
        "sshd",
        "Accepted publickey for ubuntu from 85.245.107.41 port 54259 ssh2: RSA "
        "SHA256:Kl8kPGZrTiz7g4FO1hyqHdsSBBb5Fge6NWOobN03XJg",
        {
            "sourceipaddress": "85.245.107.41",
            "sourceport": "54259",
            "username": "ubuntu",
            "success": True,
            "authmethod": "publickey",
            "invaliduser": False,
            "keytype": "RSA",
            "fingerprint": "SHA256:Kl8kPGZrTiz7g4FO1hyqHdsSBBb5Fge6NWOobN03XJg",
        },
    ),
    (
        "sshd",
        "Accepted password for elastic_user_0 from 24.151.103.17 port 51784 ssh2",
        {
            "sourceipaddress": "24.151.103.17",
            "sourceport": "51784",
            "username": "elastic_user_0",
            "success": True,
            "authmethod": "password",
            "invaliduser": False,
        },
    ),
    (
        "sshd",
        "Failed password for root from 122.163.61.218 port 51574 ssh2",
        {
            "sourceipaddress": "122.163.61.218",
            "sourceport": "51574",
            "username": "root",
            "success": False,
            "authmethod": "password",
            "invaliduser": False,
        },
    ),
    (
        "sshd",
        "Failed password for invalid user  from 91.197.232.109 port 50980 ssh2",
        {
            "sourceipaddress": "91.197.232.109",
            "sourceport": "50980",
            "username": "",
            "success": False,
            "authmethod": "password",
            "invaliduser": True,
        },
    ),
    (
        "sshd",
        "Invalid user test from 85.245.107.41",
        {
            "sourceipaddress": "85.245.107.41",
            "username": "test",
            "success": False,
            "invaliduser": True,
        },
    ),
    (
        "sshd",
        "error: maximum authentication attempts exceeded for root from 122.163.61.218 port "
        "51574 ssh2 [preauth]",
        {
            "sourceipaddress": "122.163.61.218",
            "sourceport": "51574",
            "username": "root",
            "success": False,
            "invaliduser": False,
        },
    ),
    (
        "sshd",
        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
        "rhost=122.163.61.218  user=root",
        {"sourceipaddress": "122.163.61.218", "username": "root", "success": False},
    ),
    (
        "sshd",
        "Connection from 24.151.103.17 port 54509 on 10.77.20.248 port 2222",
        {
            "sourceipaddress": "24.151.103.17",
            "sourceport": "54509",
            "destinationipaddress": "10.77.20.248",
            "destinationport": "2222",
        },
    ),
    (
        "sshd",
        "Received disconnect from 24.151.103.17 port 64554:11: disconnected by user",
        {"sourceipaddress": "24.151.103.17", "sourceport": "64554"},
    ),
    (
        "sshd",
        "Did not receive identification string from 123.57.165.219",
        {"sourceipaddress": "123.57.165.219"},
    ),
    (
        "sshd",
        "pam_unix(sshd:session): session opened for user ubuntu by (uid=0)",
        {"username": "ubuntu", "session": "opened"},
    ),
    (
        "sudo",
        "ubuntu : TTY=pts/0 ; PWD=/etc/filebeat ; USER=root ; COMMAND=/bin/su",
        {
            "username": "ubuntu",
            "targetuser": "root",
            "command": "/bin/su",
            "tty": "pts/0",
            "pwd": "/etc/filebeat",
            "success": True,
        },
    ),
    (
        "sudo",
        "ubuntu : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/home/ubuntu ; USER=root ; "
        "COMMAND=/usr/bin/vim /etc/sudoers ; x",
        {
            "username": "ubuntu",
            "targetuser": "root",
            "command": "/usr/bin/vim /etc/sudoers ; x",
            "tty": "pts/1",
            "pwd": "/home/ubuntu",
            "success": False,
            "error": "3 incorrect password attempts",
        },
    ),
    (
        "sudo",
        "pam_unix(sudo:session): session opened for user root by ubuntu(uid=0)",
        {"username": "root", "session": "opened", "by": "ubuntu"},
    ),
    (
        "su",
        "Successful su for root by root",
        {"username": "root", "targetuser": "root", "success": True},
    ),
    (
        "su",
        "+ /dev/pts/0 root:root",
        {"tty": "/dev/pts/0", "username": "root", "targetuser": "root", "success": True},
    ),
    (
        "useradd",
        "new user: name=elastic_user_0, UID=1001, GID=1001, home=/home/elastic_user_0, shell=/bin/bash",
        {
            "action": "useradd",
            "success": True,
            "username": "elastic_user_0",
            "uid": "1001",
            "gid": "1001",
            "home": "/home/elastic_user_0",
            "shell": "/bin/bash",
        },
    ),
    (
        "useradd",
        "failed adding user 'elastic_user_9', data deleted",
        {"action": "useradd", "success": False, "username": "elastic_user_9"},
    ),
    (
        "useradd",
        "new group: name=elastic_user_9, GID=1010",
        {"action": "groupadd", "success": True, "group": "elastic_user_9", "gid": "1010"},
    ),
    (
        "groupadd",
        "group added to /etc/group: name=elastic_users, GID=1011",
        {"action": "groupadd", "success": True, "group": "elastic_users", "gid": "1011"},
    ),
    (
        "chpasswd",
        "pam_unix(chpasswd:chauthtok): password changed for elastic_user_0",
        {"action": "password_changed", "success": True, "username": "elastic_user_0"},
    ),
    (
        "chpasswd",
        'pam_unix(chpasswd:chauthtok): user "elastic_user_$login_count" does not exist in /etc/passwd',
        {"action": "password_changed", "success": False, "username": "elastic_user_$login_count"},
    ),
    (
        "passwd",
        "pam_unix(passwd:chauthtok): password changed for ubuntu",
        {"action": "password_changed", "success": True, "username": "ubuntu"},
    ),
    (
        "usermod",
        "add 'elastic_user_1' to group 'elastic_users'",
        {
            "action": "usermod",
            "success": True,
            "username": "elastic_user_1",
            "group": "elastic_users",
        },
    ),
    (
        "CRON",
        "pam_unix(cron:session): session opened for user root by (uid=0)",
        {"username": "root", "session": "opened"},
    ),
    (
        "CRON",
        "(root) CMD (   cd / && run-parts --report /etc/cron.hourly)",
        {"username": "root", "command": "   cd / && run-parts --report /etc/cron.hourly"},
    ),
    ("systemd-logind", "New session 1 of user ubuntu.", {"sessionid": "1", "username": "ubuntu"}),
]


@pytest.mark.parametrize(
    ("program", "message", "expected"), CASES, ids=[f"{p}-{m[:40]}" for p, m, _ in CASES]
)
def test_details_of_well_known_messages(program, message, expected):
    assert details_for(program, message) == expected


def test_unknown_messages_give_no_details():
    assert details_for("sshd", "Server listening on 0.0.0.0 port 22.") == {}
    assert details_for("kernel", "something happened") == {}
    assert details_for(None, "Failed password for root from 1.2.3.4 port 1 ssh2") == {}


def test_a_source_that_is_not_an_ip_address_is_left_out():
    """details.sourceipaddress is an `ip` field: a host name there would be refused."""
    details = details_for(
        "sshd",
        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
        "rhost=evil.example.com  user=root",
    )
    assert details == {"username": "root", "success": False}


def test_ipv6_sources_are_kept():
    details = details_for("sshd", "Failed password for root from 2001:db8::1 port 22 ssh2")
    assert details["sourceipaddress"] == "2001:db8::1"
    assert is_ip_address("2001:db8::1") and not is_ip_address("example.com")
