"""Money: the ledger, the IFRS 15 liability, and the loyalty programs' books."""
