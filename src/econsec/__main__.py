"""``python -m econsec`` runs the command line."""

from econsec.cli.app import main

if __name__ == "__main__":
    main()
