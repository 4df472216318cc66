"""The Commission page: the guided run (wizard) and the audit of past runs.

Import the page from :mod:`commissioner.ui.pages.commission.page`; this package file stays empty
so the audit view can be used on its own without loading the wizard.
"""
