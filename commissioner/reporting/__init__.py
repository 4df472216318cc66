"""Report outputs that need Qt's painting (the PDF), kept out of ``core`` and out of the UI.

Why a package of its own: the GUI and the headless CLI both write reports; the CLI must not pull
in widgets, and ``core`` must stay Qt-free. Only QtGui, QtCore and QtSvg are used here.
"""
