/* version: the one version string, read by main (--version) and by result (every report says who wrote it). */
#ifndef SIOCRYPT_VERSION_H
#define SIOCRYPT_VERSION_H

#define SIOCRYPT_VERSION "0.1.0"

#endif
