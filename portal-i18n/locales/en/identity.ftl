## identity
