// Original file: protos/streamplatform/v1/subscriptions.proto


export interface Subscriber {
  'userId'?: (string);
}

export interface Subscriber__Output {
  'userId': (string);
}
