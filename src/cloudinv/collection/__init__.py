"""Collection: planning a collect, running sub-tasks, the reaper and the scheduler."""
