"""sudo to a root shell, or to edit a sensitive file as root.

Fires once per sudo command run as root (`details.targetuser` root) that starts a shell
(`sh`, `bash`, `su`, ... or `sudo -i` / `sudo -s`, which sudo logs as the shell), or
that edits or overwrites a sensitive file (/etc/shadow, /etc/sudoers, ...) with an
editor or a writing tool, or runs visudo / vipw / vigr. The programs and files are in
sudo_root_shell.conf. Refused attempts (`details.success` false) fire too.
"""

import posixpath
import shlex

from lib.alerttask import AlertTask
from lib.query_models import ExistsMatch, SearchQuery, TermMatch


class AlertSudoRootShell(AlertTask):
    def main(self):
        self.parse_config(
            "sudo_root_shell.conf",
            ["window_minutes", "shells", "editors", "editing_commands", "sensitive_files"],
        )
        search_query = SearchQuery(minutes=int(self.config.window_minutes))
        search_query.add_must(
            [
                TermMatch("details.program", "sudo"),
                TermMatch("details.targetuser", "root"),
                ExistsMatch("details.command"),
            ]
        )
        self.filtersManual(search_query)
        self.searchEventsSimple()
        self.walkEvents()

    def onEvent(self, event):
        details = event["_source"]["details"]
        reason = self.risk(details["command"])
        if reason is None:
            return None
        outcome = "ran" if details.get("success", True) else "was refused"
        summary = (
            f"{details.get('username')} {outcome} a {reason} as root with sudo on "
            f"{event['_source'].get('hostname')}: {details['command']}"
        )
        return self.createAlertDict(summary, "sudo", ["sudo", "privilege"], [event], "WARNING")

    def risk(self, command):
        """'root shell' or 'sensitive file edit' when `command` is one, else None."""
        words = _split(command)
        if not words:
            return None
        program = posixpath.basename(words[0])
        if program in self.config.shells.split():
            return "root shell"
        if program in self.config.editing_commands.split():
            return "sensitive file edit"
        if program in self.config.editors.split() and any(
            _sensitive(word, self.config.sensitive_files.split()) for word in words[1:]
        ):
            return "sensitive file edit"
        return None


def _split(command):
    try:
        return shlex.split(command)
    except ValueError:  # unbalanced quotes: fall back to whitespace
        return command.split()


def _sensitive(path, sensitive_files):
    return any(
        path == name or (name.endswith("/") and path.startswith(name)) for name in sensitive_files
    )
