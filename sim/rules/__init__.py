"""Pure rules of the model: functions of numbers, no SimPy, no state."""
