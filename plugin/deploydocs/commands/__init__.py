"""The ``deploydocs`` command line: one module per subcommand, a thin adapter over the core and the site."""
