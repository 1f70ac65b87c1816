"""Stand-ins for the ERPs on their documented wire shapes (respx): the benches and the tests use them."""
