"""The job worker for bench/load.py: the real `valuedesk worker`, with two substitutions that only a bench may make.

- Jira's API base points at the run's fake tracker on loopback (the real client, requests and retries still run),
  so its session gets requests' plain transport: the service's own refuses loopback addresses.
- The processing lease drops from 5 minutes to 20 seconds, so work a killed worker held is swept up within the run.
"""

import os
import sys
from datetime import timedelta

from requests.adapters import HTTPAdapter

from adapter import workitems
from adapter.providers import jira

FAKE_JIRA = os.environ["VALUEDESK_BENCH_FAKE_JIRA"]
_real_init = jira.Client.__init__


def _init_on_loopback(self, *args, **kwargs):
    _real_init(self, *args, **kwargs)
    self.base = FAKE_JIRA
    self.api.base_url = f"{FAKE_JIRA}/rest/api/3"
    self.api.session.mount("http://", HTTPAdapter(max_retries=self.api.session.get_adapter("http://").max_retries))


jira.Client.__init__ = _init_on_loopback
workitems.PROCESSING_LEASE = timedelta(seconds=20)

if __name__ == "__main__":
    from adapter.cli import main

    sys.exit(main(["worker"]))
