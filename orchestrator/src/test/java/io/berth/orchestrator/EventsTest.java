package io.berth.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.orchestrator.store.EventStore;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventsTest {

    @Test
    void repeatsAreCountedAndOldEventsExpire() throws Exception {
        try (DaemonFixture d = new DaemonFixture()) {
            EventStore events = d.daemon.context().getBean(EventStore.class);
            var pod = new ObjectReferenceBuilder().withKind("Pod").withNamespace("default").withName("p").withUid("u1").build();
            Instant old = Instant.now().minus(EventStore.TTL).minusSeconds(60);
            events.record(pod, "Warning", "BackOff", "back-off restarting", "vm", 1, old);
            events.record(pod, "Normal", "Pulled", "pulled", "vm", 2, Instant.now().minusSeconds(5));
            var again = events.record(pod, "Normal", "Pulled", "pulled", "vm", 3, Instant.now());
            assertThat(again.getCount()).isEqualTo(2);
            assertThat(again.getFirstTimestamp()).isNotEqualTo(again.getLastTimestamp());
            assertThat(events.list("default")).extracting(e -> e.getReason()).containsExactly("Pulled");
            var listed = d.get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.uid%3Du1,type%3DNormal");
            assertThat(listed.body()).contains("\"reason\":\"Pulled\"").contains("\"count\":2").doesNotContain("BackOff");
        }
    }
}
