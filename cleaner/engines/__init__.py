"""Engines that run cleaner beyond one machine (``pip install 'cleaner[ray]'``)."""
