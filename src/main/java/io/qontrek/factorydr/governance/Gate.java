package io.qontrek.factorydr.governance;

/** One governance gate's verdict; {@code detail} says why, in words an operator can act on. */
public record Gate(String name, boolean pass, String detail) {}
