/* libpq, the PostgreSQL client library (Debian: libpq-dev). Its headers live
 * in /usr/include/postgresql; quoted includes inside libpq-fe.h resolve
 * relative to it, so no extra include path is needed. */
#include <postgresql/libpq-fe.h>
