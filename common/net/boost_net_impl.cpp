// Compiles the implementation of Asio, Asio SSL and Beast once for the whole
// program (BOOST_*_SEPARATE_COMPILATION is set on every user). Nothing else
// belongs in this file.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
