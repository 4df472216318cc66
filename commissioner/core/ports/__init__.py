"""Port settings as staged edits: what the THREAD holds, what the user wants, and a safe way there.

``fields`` names each setting; ``device_state`` says what is known about the THREAD (read back,
inferred or last applied by this app); ``staging`` holds pending edits and validates them;
``plan`` orders the calls safely and lists the confirmations needed; ``apply`` runs the plan and
verifies every field; ``workspace`` ties them together for a page or a script.
"""
