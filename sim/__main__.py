"""`python -m sim`: the same command line as `community-sim` (see `sim.cli`)."""

from sim.cli import main

if __name__ == "__main__":
    main()
