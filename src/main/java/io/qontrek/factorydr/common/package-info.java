/** Small shared encodings: lowercase hex, SHA-256, HMAC-SHA256, exactly as the runtime contract spells them. */
package io.qontrek.factorydr.common;
