"""`python -m stemcheck` runs the command-line interface."""

from stemcheck.launch import main

if __name__ == "__main__":
    main()
