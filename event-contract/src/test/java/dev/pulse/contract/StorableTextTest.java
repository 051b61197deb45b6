package dev.pulse.contract;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class StorableTextTest {

    @Test
    void findsWhatPostgresCannotKeep() {
        assertNull(StorableText.problem("plain, é, 😀, \u0001"));
        assertEquals("must not contain NUL (U+0000)", StorableText.problem("a\u0000"));
        assertEquals("must not contain an unpaired surrogate", StorableText.problem("\ud83d"));
        assertEquals("must not contain an unpaired surrogate", StorableText.problem("\ude00\ud83d"));
    }

    @Test
    void escapesControlCharactersAndUnpairedSurrogatesOnly() {
        assertEquals("same 😀 é", StorableText.escape("same 😀 é"));
        assertEquals("a\\u0000b\\u000A\\uD800😀", StorableText.escape("a\u0000b\n\ud800😀"));
        assertNull(StorableText.problem(StorableText.escape("\u0000\udfff")));
    }

    @Test
    void truncatesWithoutSplittingAPair() {
        assertEquals("abc", StorableText.truncate("abc", 3));
        assertEquals("ab…(2 more characters)", StorableText.truncate("abcd", 2));
        assertEquals("a…(3 more characters)", StorableText.truncate("a😀b", 2));
    }
}
