package ai.aicrypto.plaza.search.internal;

import java.io.IOException;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Rebuilds the Elasticsearch index into a new index and swaps the alias (used by ops/reindex);
 * searches keep being answered from the old index meanwhile.
 */
@RestController
class SearchAdminController {

    private final SearchIndex index;

    SearchAdminController(ObjectProvider<SearchIndex> index) {
        this.index = index.getIfAvailable();
    }

    @PostMapping("/admin/search/reindex")
    @PreAuthorize("hasRole('ADMIN')")
    ResponseEntity<Map<String, Object>> reindex() throws IOException {
        if (index == null) {
            return ResponseEntity.status(HttpStatus.CONFLICT)
                    .body(Map.of("error", "Elasticsearch is not configured (PLAZA_SEARCH_ES_URL); PostgreSQL search needs no index"));
        }
        long indexed = index.rebuild();
        return ResponseEntity.ok(Map.of("alias", index.alias(), "indexed", indexed));
    }
}
