"""A remote model: any OpenAI-compatible chat server (llama.cpp's server, vLLM, Ollama) as a Generator, so the
prompted engine (prompts, terms, examples, document context, retries, quality levels, repair) and the
translation memory run over it unchanged. `summarizer run --engine openai --base-url URL [--model NAME]`."""
