/**
 * Search across listings, GPU offers and competitions: one query model and two interchangeable
 * backends behind it, PostgreSQL full-text search (the default, and the fallback) and
 * Elasticsearch (when PLAZA_SEARCH_ES_URL is set), kept in sync from the
 * {@link ai.aicrypto.plaza.catalog.ListingChanged}, {@link ai.aicrypto.plaza.compute.GpuOfferChanged}
 * and {@link ai.aicrypto.plaza.competition.CompetitionChanged} events.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Search")
package ai.aicrypto.plaza.search;
