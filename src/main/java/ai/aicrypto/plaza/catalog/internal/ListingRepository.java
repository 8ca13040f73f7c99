package ai.aicrypto.plaza.catalog.internal;

import java.time.Instant;
import java.util.List;

import ai.aicrypto.plaza.catalog.ListingStatus;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;

interface ListingRepository extends JpaRepository<Listing, Long> {

    List<Listing> findByOwnerIdOrderByUpdatedAtDesc(long ownerId, Limit limit);

    List<Listing> findByOwnerIdAndStatusOrderByCreatedAtDesc(long ownerId, ListingStatus status, Limit limit);

    List<Listing> findByIdGreaterThanAndUpdatedAtGreaterThanEqualOrderById(long id, Instant updatedSince, Limit limit);
}
