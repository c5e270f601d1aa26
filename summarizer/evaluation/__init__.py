"""Evaluation: sets (`datasets`), metrics (`scoring`), the eval runner (`runner.run_eval`), its resumable
prediction cache (`predictions`) and its reports (`report`)."""
