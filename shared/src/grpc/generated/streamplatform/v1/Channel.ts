// Original file: protos/streamplatform/v1/channels.proto


export interface Channel {
  'id'?: (string);
  'ownerId'?: (string);
  'slug'?: (string);
  'title'?: (string);
  'description'?: (string);
  /**
   * RFC 3339.
   */
  'createdAt'?: (string);
}

export interface Channel__Output {
  'id': (string);
  'ownerId': (string);
  'slug': (string);
  'title': (string);
  'description': (string);
  /**
   * RFC 3339.
   */
  'createdAt': (string);
}
