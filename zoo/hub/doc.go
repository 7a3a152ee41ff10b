// Package hub reads what a model hub publishes beside pretrained weights:
// the config.json (and preprocessor_config.json) of timm and Hugging Face
// model repositories, which give the input size, the preprocessing the
// weights expect and the class names.
package hub
