/**
 * Shared plumbing every feature module may use: the database (embedded PostgreSQL by default), the
 * web layer's locale handling, safe Markdown rendering and user-facing errors.
 */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package ai.aicrypto.plaza.platform;
