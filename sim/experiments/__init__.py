"""Many runs of a scenario: replications, paired comparisons, sweeps, sensitivity."""
