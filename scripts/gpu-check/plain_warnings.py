# Imported first by the check scripts: Python prints a warning with the full path of the file
# it comes from, which names the folders of the machine the check ran on, and run.sh's output
# is meant to be kept and shared (docs/gpu-check/). The file's own name and line are enough.
import os, warnings


def _format(message, category, filename, lineno, line=None):
    return f'{os.path.basename(filename)}:{lineno}: {category.__name__}: {message}\n'


warnings.formatwarning = _format
