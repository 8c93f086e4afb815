package io.qontrek.factorydr.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParallelIoTest {
    @Test
    void mapKeepsTheItemsOrder() throws Exception {
        List<Integer> items = IntStream.range(0, 1000).boxed().toList();
        try (ParallelIo io = new ParallelIo()) {
            assertThat(io.map(items, i -> i * 2)).isEqualTo(items.stream().map(i -> i * 2).toList());
            assertThat(io.map(List.<Integer>of(), i -> i)).isEmpty();
        }
    }

    @Test
    void streamedResultsComeInTheOrderItemsWereAddedWhateverTheBatch() throws Exception {
        try (ParallelIo io = new ParallelIo(4)) {
            for (int batch : new int[] {1, 7, 512, 5000}) {
                ParallelIo.Streamed<Integer, String> s = io.streamed(batch, i -> "#" + i);
                for (int i = 0; i < 1234; i++) s.add(i);
                assertThat(s.results()).as("batch " + batch)
                        .isEqualTo(IntStream.range(0, 1234).mapToObj(i -> "#" + i).toList());
            }
            assertThat(io.streamed(8, i -> i).results()).isEmpty();
        }
    }

    @Test
    void theFirstFailureInItemOrderIsRethrownUnchanged() {
        try (ParallelIo io = new ParallelIo(4)) {
            ParallelIo.Streamed<Integer, Integer> s = io.streamed(10, i -> {
                if (i == 35 || i == 93) throw new IOException("item " + i + " is unreadable");
                return i;
            });
            for (int i = 0; i < 100; i++) s.add(i);
            assertThatThrownBy(s::results).isInstanceOf(IOException.class).hasMessage("item 35 is unreadable");
            assertThatThrownBy(() -> io.map(List.of(1, 2, 3), i -> {
                if (i > 1) throw new IllegalStateException("bad " + i);
                return i;
            })).isInstanceOf(IllegalStateException.class).hasMessage("bad 2");
        }
    }
}
