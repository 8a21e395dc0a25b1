"""`python -m adapter.cli`: the same command as `valuedesk`."""

from adapter.cli import main

main()
