/**
 * Search across listings: one query model and two interchangeable backends behind it, PostgreSQL
 * full-text search (the default, and the fallback) and Elasticsearch (when PLAZA_SEARCH_ES_URL is
 * set), kept in sync from the catalog's {@link ai.aicrypto.plaza.catalog.ListingChanged} events.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Search")
package ai.aicrypto.plaza.search;
