/** Demo users and listings for {@code ops/run}, seeded once into an empty database. */
@org.springframework.modulith.ApplicationModule(displayName = "Demo data")
package ai.aicrypto.plaza.demo;
