"""Contents manager for the browser test's Jupyter server: it serves the course notebooks but never
writes them.

Running cells in the classic UI marks a notebook dirty and the UI autosaves it (every 120 s by
default). The test also turns autosave off in the page, but notebooks/ belongs to the course: this
manager makes sure that no outputs from a test run ever land in a tracked .ipynb, whatever the UI
does. tests/browser/run.sh passes it with
--NotebookApp.contents_manager_class=nosave_contents.NoSaveContentsManager and this folder on
PYTHONPATH (Debian's python3 runs the server).
"""

from notebook.services.contents.largefilemanager import LargeFileManager
from tornado.web import HTTPError


class NoSaveContentsManager(LargeFileManager):
    """A LargeFileManager whose save, rename, delete and checkpoint calls are refused (HTTP 403)."""

    def _refuse(self, what, path):
        self.log.warning("browser test: refused to %s %s", what, path)
        raise HTTPError(403, "browser test server: %s is disabled (notebooks are read-only)" % what)

    def save(self, model, path=""):
        self._refuse("save", path)

    def rename_file(self, old_path, new_path):
        self._refuse("rename", old_path)

    def delete_file(self, path):
        self._refuse("delete", path)

    def create_checkpoint(self, path):
        self._refuse("checkpoint", path)
