package ai.aicrypto.plaza.catalog;

/**
 * What search should know of a listing beyond its title, description and tags, given by the
 * feature module that creates it.
 *
 * @param terms extra words to find it by (dataset column names, a model's template and classes)
 * @param task  the task it serves; null when it serves none (a dataset without labels)
 */
public record SearchFacts(String terms, Task task) {

    public SearchFacts {
        terms = terms == null ? "" : terms;
    }
}
