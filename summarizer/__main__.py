from summarizer.apps.cli import main

main()
