/** The README's echo server. */
module example.echo {
    requires io.fasterapi.aio;
}
