"""Tests of the sudo root shell alert (alerts/sudo_root_shell.py), on real auth.log lines."""

from .alert_test_suite import AlertTestSuite
from .auth_events import already_alerted, auth_event
from .negative_alert_test_case import NegativeAlertTestCase
from .positive_alert_test_case import PositiveAlertTestCase


def sudo(command, pwd="/etc/filebeat", seconds_ago=10, target="root", user="ubuntu", error=None):
    """`Mar 27 16:16:42 ip-10-77-20-248 sudo:   ubuntu : TTY=pts/0 ; PWD=/etc/filebeat ; USER=root ; COMMAND=/bin/su`."""
    prefix = f"{error} ; " if error else ""
    summary = f"{user} : {prefix}TTY=pts/0 ; PWD={pwd} ; USER={target} ; COMMAND={command}"
    details = {
        "username": user,
        "command": command,
        "tty": "pts/0",
        "pwd": pwd,
        "targetuser": target,
        "success": error is None,
    }
    if error:
        details["error"] = error
    return auth_event("sudo", None, summary, details, seconds_ago)


SU = sudo("/bin/su")
VIM_SSHD_CONFIG = sudo("/usr/bin/vim /etc/ssh/sshd_config", pwd="/home/ubuntu")


def expected(summary):
    return {
        "category": "sudo",
        "tags": ["sudo", "privilege"],
        "severity": "WARNING",
        "summary": summary,
    }


class TestAlertSudoRootShell(AlertTestSuite):
    default_alert = expected(
        "ubuntu ran a root shell as root with sudo on ip-10-77-20-248: /bin/su"
    )

    test_cases = [
        PositiveAlertTestCase(
            description="sudo /bin/su (auth.log, Mar 27 16:16:42)",
            events=[SU],
            expected_alert=default_alert,
        ),
        PositiveAlertTestCase(
            description="sudo vim /etc/ssh/sshd_config (auth.log, Mar 28 19:02)",
            events=[VIM_SSHD_CONFIG],
            expected_alert=expected(
                "ubuntu ran a sensitive file edit as root with sudo on ip-10-77-20-248: "
                "/usr/bin/vim /etc/ssh/sshd_config"
            ),
        ),
        PositiveAlertTestCase(
            description="sudo -s logs the shell itself",
            events=[sudo("/bin/bash", pwd="/home/ubuntu")],
            expected_alert=expected(
                "ubuntu ran a root shell as root with sudo on ip-10-77-20-248: /bin/bash"
            ),
        ),
        PositiveAlertTestCase(
            description="visudo edits sudoers whatever its arguments",
            events=[sudo("/usr/sbin/visudo")],
            expected_alert=expected(
                "ubuntu ran a sensitive file edit as root with sudo on ip-10-77-20-248: "
                "/usr/sbin/visudo"
            ),
        ),
        PositiveAlertTestCase(
            description="a refused attempt at a root shell still alerts",
            events=[sudo("/bin/su", error="3 incorrect password attempts")],
            expected_alert=expected(
                "ubuntu was refused a root shell as root with sudo on ip-10-77-20-248: /bin/su"
            ),
        ),
        PositiveAlertTestCase(
            description="tee into the sudoers.d directory",
            events=[sudo("/usr/bin/tee /etc/sudoers.d/90-cloud-init-users")],
            expected_alert=expected(
                "ubuntu ran a sensitive file edit as root with sudo on ip-10-77-20-248: "
                "/usr/bin/tee /etc/sudoers.d/90-cloud-init-users"
            ),
        ),
        NegativeAlertTestCase(
            description="editing an application's config is routine (auth.log, Mar 27 16:02:57)",
            events=[sudo("/usr/bin/vim /etc/filebeat/filebeat.yml", pwd="/usr/share/filebeat/bin")],
        ),
        NegativeAlertTestCase(
            description="package management as root is routine (auth.log, Mar 27 13:10:14)",
            events=[sudo("/usr/bin/apt-get install apt-transport-https", pwd="/home/ubuntu")],
        ),
        NegativeAlertTestCase(
            description="reading a sensitive file is not editing it",
            events=[sudo("/bin/cat /etc/shadow")],
        ),
        NegativeAlertTestCase(
            description="a shell as another user than root",
            events=[sudo("/bin/bash", target="postgres")],
        ),
        NegativeAlertTestCase(
            description="older than the 5 minute window",
            events=[sudo("/bin/su", seconds_ago=301)],
        ),
        NegativeAlertTestCase(
            description="already alerted on",
            events=[already_alerted(SU, "AlertSudoRootShell")],
        ),
    ]
