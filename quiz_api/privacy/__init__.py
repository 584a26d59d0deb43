"""The learner's data rights in one place: see, download, correct, erase (API, pages, document),
and the retention purge (`kynangso purge`)."""
