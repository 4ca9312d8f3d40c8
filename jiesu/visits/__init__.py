"""Return visits (回访): the queue, the call's answers, sampling, the supervisor's review."""
