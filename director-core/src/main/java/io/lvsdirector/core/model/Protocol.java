package io.lvsdirector.core.model;

/** The transport protocol of a virtual service ({@code ipvsadm -t | -u | --sctp-service}). */
public enum Protocol {
    TCP,
    UDP,
    SCTP
}
