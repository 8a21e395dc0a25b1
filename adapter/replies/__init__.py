"""Copy-paste warnings: a private nudge before a generic reply goes out."""
