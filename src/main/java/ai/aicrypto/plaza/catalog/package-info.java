/**
 * Listings: the common face of everything offered on AI PLAZA (title, description, tags,
 * license, price, owner), their browse pages with keyset pagination, and owner-only editing.
 * Feature modules (datasets, models) create a listing for each item and render its detail page.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Catalog")
package ai.aicrypto.plaza.catalog;
