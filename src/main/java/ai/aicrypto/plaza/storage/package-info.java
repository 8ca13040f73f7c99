/**
 * Where bytes live: a content-addressed blob store (filesystem by default) and envelope encryption
 * (a data key per item, wrapped by the master key) for everything stored at rest.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Storage")
package ai.aicrypto.plaza.storage;
