"""A small llama.cpp runtime: CPU kernels chosen at run time (`cpu_variants`), one batched decoder (`batch`, `kv`,
`prefix`, `draft`) owned by one model worker thread (`worker`), and the `Generator` the prompted engines call
(`generator`). Nothing here knows about articles, prompts or checks."""
