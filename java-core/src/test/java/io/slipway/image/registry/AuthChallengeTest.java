package io.slipway.image.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {

    @Test
    void bearerChallengeGivesRealmServiceAndScope() {
        List<AuthChallenge> c = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/ubuntu:pull\"");
        assertEquals(1, c.size());
        assertEquals("bearer", c.get(0).scheme());
        assertEquals("https://auth.docker.io/token", c.get(0).param("realm"));
        assertEquals("registry.docker.io", c.get(0).param("service"));
        assertEquals("repository:library/ubuntu:pull", c.get(0).param("scope"));
    }

    @Test
    void basicChallengeAndCaseInsensitiveScheme() {
        List<AuthChallenge> c = AuthChallenge.parse("basic realm=\"Registry Realm\"");
        assertEquals("basic", c.get(0).scheme());
        assertEquals("Registry Realm", c.get(0).param("realm"));
    }

    @Test
    void severalChallengesAndUnquotedValuesWithCommasInQuotes() {
        List<AuthChallenge> c = AuthChallenge.parse(
                "Bearer realm=\"https://a/t\",scope=\"repository:x:pull,push\", Basic realm=plain");
        assertEquals(2, c.size());
        assertEquals("repository:x:pull,push", c.get(0).param("scope"));
        assertEquals("plain", c.get(1).param("realm"));
    }

    @Test
    void emptyHeaderGivesNoChallenge() {
        assertEquals(List.of(), AuthChallenge.parse(""));
    }
}
