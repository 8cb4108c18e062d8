"""The NLU inbox of the admin area: what the bot did not understand, annotated by admins.

``masking`` hides personal data, ``tracker`` reads the candidates from Rasa's SQL tracker
store, ``repo`` keeps the items in the app database (``bot.store.models``), ``training``
writes the annotated ones to ``nlu/data/inbox/<intent>.yml`` (never the held-out split),
``service`` ties them together and ``store`` is the async facade the console uses.
"""
