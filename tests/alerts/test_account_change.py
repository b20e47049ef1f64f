"""Tests of the account change alert (alerts/account_change.py), on real auth.log lines.

On Mar 29 at 10:36:52 useradd created elastic_user_0..9 and at 10:38:05 chpasswd set
their passwords; 407 chpasswd lines for a literal `elastic_user_$login_count` failed.
"""

from .alert_test_suite import AlertTestSuite
from .auth_events import already_alerted, auth_event
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase


def new_user(number, seconds_ago=70):
    """`useradd[852]: new user: name=elastic_user_0, UID=1001, GID=1001, home=/home/elastic_user_0, shell=/bin/bash`."""
    name, uid = f"elastic_user_{number}", str(1001 + number)
    summary = f"new user: name={name}, UID={uid}, GID={uid}, home=/home/{name}, shell=/bin/bash"
    details = {
        "action": "useradd",
        "success": True,
        "username": name,
        "uid": uid,
        "gid": uid,
        "home": f"/home/{name}",
        "shell": "/bin/bash",
    }
    return auth_event("useradd", str(852 + 6 * number), summary, details, seconds_ago)


def password_changed(number, seconds_ago=0):
    """`chpasswd[982]: pam_unix(chpasswd:chauthtok): password changed for elastic_user_0`."""
    name = f"elastic_user_{number}"
    summary = f"pam_unix(chpasswd:chauthtok): password changed for {name}"
    details = {"action": "password_changed", "success": True, "username": name}
    return auth_event("chpasswd", str(982 + 7 * number), summary, details, seconds_ago)


def password_change_failed():
    """`chpasswd[1101]: pam_unix(chpasswd:chauthtok): user "elastic_user_$login_count" does not exist in /etc/passwd`."""
    summary = 'pam_unix(chpasswd:chauthtok): user "elastic_user_$login_count" does not exist in /etc/passwd'
    details = {
        "action": "password_changed",
        "success": False,
        "username": "elastic_user_$login_count",
    }
    return auth_event("chpasswd", "1101", summary, details, 5)


def failed_useradd():
    """`useradd[750]: failed adding user 'elastic_user_0', data deleted`."""
    details = {"action": "useradd", "success": False, "username": "elastic_user_0"}
    return auth_event(
        "useradd", "750", "failed adding user 'elastic_user_0', data deleted", details, 80
    )


def new_group():
    """`groupadd[2048]: new group: name=elastic_users, GID=1011`."""
    details = {"action": "groupadd", "success": True, "group": "elastic_users", "gid": "1011"}
    return auth_event("groupadd", "2048", "new group: name=elastic_users, GID=1011", details, 5)


class TestAlertAccountChange(AlertTestSuite):
    default_alert = {
        "category": "accountchange",
        "tags": ["account", "accountchange"],
        "severity": "NOTICE",
        "summary": "Account changes on ip-10-77-20-248: new user: elastic_user_0, elastic_user_1",
    }

    test_cases = [
        PositiveAlertTestCase(
            description="two users created",
            events=[new_user(0), new_user(1)],
            expected_alert=default_alert,
        ),
        PositiveAlertTestCase(
            description="users created and their passwords set, one alert per host",
            events=[new_user(0), new_user(1), password_changed(0), password_changed(1)],
            expected_alert={
                **default_alert,
                "summary": (
                    "Account changes on ip-10-77-20-248: new user: elastic_user_0, "
                    "elastic_user_1; password changed: elastic_user_0, elastic_user_1"
                ),
            },
        ),
        PositiveAlertTestCase(
            description="a password change alone",
            events=[password_changed(3)],
            expected_alert={
                **default_alert,
                "summary": "Account changes on ip-10-77-20-248: password changed: elastic_user_3",
            },
        ),
        NegativeAlertTestCase(
            description="failed password changes and failed useradd change nothing",
            events=[password_change_failed(), failed_useradd()],
        ),
        NegativeAlertTestCase(
            description="a new group is not a new user",
            events=[new_group()],
        ),
        NegativeAlertTestCase(
            description="older than the 5 minute window",
            events=[new_user(0, seconds_ago=301)],
        ),
        NegativeAlertTestCase(
            description="already alerted on",
            events=[already_alerted(new_user(0), "AlertAccountChange")],
        ),
    ]
